// Drag and drop a baked badge image onto the verifier form (the file picker works without this).
(function () {
  var form = document.getElementById("verify-form");
  var input = document.getElementById("file");
  if (!form || !input || !window.DataTransfer) { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    form.addEventListener(name, function (event) {
      event.preventDefault();
      form.classList.add("dropping");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    form.addEventListener(name, function () { form.classList.remove("dropping"); });
  });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      form.submit();
    }
  });
})();

// The verdict, announced: a status region already full when the page loads is not read out,
// so the verdict is copied into the empty one (#verdict-status) just after loading.
(function () {
  var region = document.getElementById("verdict-status");
  var verdict = document.querySelector("[data-verdict]");
  if (!region || !verdict) { return; }
  var heading = verdict.querySelector("h2"), summary = verdict.querySelector("p");
  window.setTimeout(function () {
    region.textContent = (heading ? heading.textContent.trim() + ". " : "") +
      (summary ? summary.textContent.trim() : "");
  }, 250);
})();
