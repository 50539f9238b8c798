// The draft page: answers save as the teacher types, survive a lost connection (kept in this
// browser until the server has them), show a live word count, and large files go straight
// to S3 with a progress bar. Without this script every form still posts normally.
(function () {
  "use strict";
  var status = document.getElementById("save-status");
  var missing = document.getElementById("missing");
  var pending = {};
  // The words a person reads come from the page, in its language (a JSON block the template
  // renders with _()); the English here is only a fallback. %(name)s marks a value.
  var lang = document.documentElement.lang || undefined;
  var messages = {};
  try {
    var block = document.getElementById("draft-messages");
    messages = (block && JSON.parse(block.textContent)) || {};
  } catch (e) { messages = {}; }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (token, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : token;
    });
  }
  function phrase(key, fallback, values) { return fill(messages[key] || fallback, values); }

  function say(text) { if (status) { status.textContent = text; } }
  function field(form) { return form.querySelector("textarea, input[type=url]"); }
  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function keep(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function forget(key) { try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  function words(text) {
    var plain = text.replace(/<[^>]*>/g, " ").trim();
    return plain ? plain.split(/\s+/).length : 0;
  }
  function countWords(input) {
    var out = input.form.querySelector(".word-count");
    if (!out) { return; }
    var n = words(input.value), min = +input.dataset.minWords, max = +input.dataset.maxWords;
    var forms = messages.words || ["%(num)s word", "%(num)s words"];
    var counted = fill(n === 1 ? forms[0] : forms[forms.length - 1], { num: n });
    var note;
    if (max && n > max) { note = phrase("over", "%(words)s — %(count)s over the limit.", { words: counted, count: n - max }); }
    else if (min && n < min) { note = phrase("short", "%(words)s — %(count)s more needed.", { words: counted, count: min - n }); }
    else { note = counted + "."; }
    out.textContent = note + " ";
    input.form.classList.toggle("field-error", Boolean(max && n > max));
  }
  function showMissing(list) {
    if (!missing) { return; }
    missing.textContent = "";
    var p = document.createElement("p");
    if (!list.length) {
      p.textContent = phrase("answered", "Everything is answered. Once submitted, your evidence is frozen exactly as the reviewer will see it.");
      missing.appendChild(p);
      return;
    }
    p.textContent = phrase("before", "Before you can submit:");
    var ul = document.createElement("ul");
    ul.className = "problems";
    list.forEach(function (m) { var li = document.createElement("li"); li.textContent = m; ul.appendChild(li); });
    missing.appendChild(p);
    missing.appendChild(ul);
  }
  function message(response, fallback) {
    return response.json().then(function (body) {
      return (body && body.error && body.error.message) || fallback;
    }, function () { return fallback; });
  }

  function save(form) {
    var input = field(form), key = form.dataset.key, value = input.value;
    clearTimeout(pending[key]);
    say(phrase("saving", "Saving…"));
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (body) {
          var stored = load(key);
          if (stored && stored.value === value) { forget(key); }
          input.dataset.saved = value;
          var time = new Date().toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
          say(phrase("saved", "Saved at %(time)s.", { time: time }));
          showMissing(body.missing || []);
        });
      }
      return message(response, phrase("not_saved", "Not saved.")).then(function (text) {
        if (response.status === 409) { forget(key); }
        say(phrase("not_saved_because", "Not saved: %(reason)s", { reason: text }));
      });
    }, function () {
      say(phrase("offline", "You seem to be offline. Your answer is kept on this device and will be saved when the connection is back."));
    });
  }

  var forms = Array.prototype.slice.call(document.querySelectorAll("form.answer-form"));
  forms.forEach(function (form) {
    var input = field(form), key = form.dataset.key;
    if (!input) { return; }
    input.dataset.saved = input.value;
    var stored = load(key);
    if (stored && stored.value !== input.value) {
      if (stored.base === input.value) {
        input.value = stored.value;  // unsaved work from this device, newer than the server's
        say(phrase("restored", "Restored what you typed while offline; saving…"));
        save(form);
      } else {
        forget(key);  // the answer changed elsewhere since; the server's copy wins
      }
    }
    countWords(input);
    input.addEventListener("input", function () {
      countWords(input);
      keep(key, { value: input.value, base: input.dataset.saved });
      clearTimeout(pending[key]);
      pending[key] = setTimeout(function () { save(form); }, 800);
    });
    input.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); save(form); });
  });
  window.addEventListener("online", function () {
    forms.forEach(function (form) {
      var input = field(form);
      if (input && input.value !== input.dataset.saved) { save(form); }
    });
  });

  // Files: refuse too-large ones at once; send large ones straight to S3 when it is the store.
  Array.prototype.forEach.call(document.querySelectorAll("form.upload-form"), function (form) {
    var note = form.querySelector(".upload-status"), bar = form.querySelector("progress");
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]").files[0];
      if (!file) { return; }
      var max = +form.dataset.maxBytes, direct = +form.dataset.directMin;
      if (max && file.size > max) {
        event.preventDefault();
        var size = (file.size / 1048576).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
        note.textContent = phrase("too_big", "This file is %(size)s MB; the limit is %(limit)s MB.", { size: size, limit: Math.floor(max / 1048576) });
        return;
      }
      if (!direct || file.size < direct) { note.textContent = phrase("uploading", "Uploading…"); return; }
      event.preventDefault();
      var begin = new FormData();
      begin.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      begin.append("prompt_id", form.querySelector("[name=prompt_id]").value);
      begin.append("filename", file.name);
      begin.append("content_type", file.type);
      note.textContent = phrase("preparing", "Preparing the upload…");
      fetch(form.dataset.begin, { method: "POST", body: begin, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { return message(response, phrase("not_started", "The upload could not start.")).then(function (t) { throw new Error(t); }); }
          return response.json();
        })
        .then(function (post) {
          return new Promise(function (resolve, reject) {
            var body = new FormData();
            Object.keys(post.fields).forEach(function (name) { body.append(name, post.fields[name]); });
            body.append("file", file);
            var xhr = new XMLHttpRequest();
            xhr.open("POST", post.url);
            bar.hidden = false;
            xhr.upload.onprogress = function (e) {
              if (!e.lengthComputable) { return; }
              bar.value = Math.round(100 * e.loaded / e.total);
              // The status region is read out: say every tenth, not every percent.
              var tenth = Math.floor(bar.value / 10) * 10;
              if (note.dataset.said !== String(tenth)) { note.dataset.said = String(tenth); note.textContent = phrase("uploading_percent", "Uploading… %(percent)s%", { percent: tenth }); }
            };
            xhr.onload = function () { xhr.status < 300 ? resolve(post.token) : reject(new Error(phrase("store_refused", "The file store refused the upload."))); };
            xhr.onerror = function () { reject(new Error(phrase("dropped", "The connection dropped; nothing was saved. Please try again."))); };
            xhr.send(body);
          });
        })
        .then(function (token) {
          var done = new FormData();
          done.append("csrf_token", form.querySelector("[name=csrf_token]").value);
          done.append("token", token);
          note.textContent = phrase("checking", "Checking the file…");
          return fetch(form.dataset.complete, { method: "POST", body: done, credentials: "same-origin", headers: { "Accept": "application/json" } });
        })
        .then(function (response) {
          if (response.ok) { window.location.reload(); return; }
          return message(response, phrase("not_accepted", "The file was not accepted.")).then(function (t) { throw new Error(t); });
        })
        .catch(function (error) { bar.hidden = true; note.textContent = error.message; });
    });
  });
})();
