// Live figures without reloading: an element with data-refresh="<ms>" (and an id) is fetched
// again from this page's address and its content replaced in place, until the fresh copy has
// no data-refresh. Focus and the reading position stay where they are; the element's
// role="status" lets a screen reader announce the new figures politely; parts marked
// data-refresh-part are brought up to date with it, unannounced. Once done, elements
// marked data-refreshing (a "check again" link) go; focus on one moves to the figures.
(function () {
  var box = document.querySelector("[data-refresh][id]");
  if (!box || !window.fetch || !window.DOMParser) { return; }
  var every = parseInt(box.getAttribute("data-refresh"), 10) || 2000;
  function finish() {
    box.removeAttribute("data-refresh");
    Array.prototype.forEach.call(document.querySelectorAll("[data-refreshing]"), function (el) {
      if (el.contains(document.activeElement)) {
        box.setAttribute("tabindex", "-1");
        box.focus();
      }
      el.parentNode.removeChild(el);
    });
  }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(box.id);
        if (!fresh) { return; }
        // The figures, and any other part marked data-refresh-part (the rows with problems).
        Array.prototype.forEach.call(document.querySelectorAll("[data-refresh][id], [data-refresh-part][id]"), function (part) {
          var copy = doc.getElementById(part.id);
          if (copy && copy.innerHTML !== part.innerHTML) { part.innerHTML = copy.innerHTML; }
        });
        if (fresh.hasAttribute("data-refresh")) { window.setTimeout(poll, every); } else { finish(); }
      })
      .catch(function () { window.setTimeout(poll, every * 5); });
  }
  window.setTimeout(poll, every);
})();
