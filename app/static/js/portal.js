// Portal enhancements; every page works without them.
(function () {
  "use strict";

  // Warn about an oversize file before uploading it (the server checks again).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = parseInt(input.dataset.maxBytes, 10);
      var file = input.files && input.files[0];
      var tooBig = file && file.size > max;
      input.setCustomValidity(tooBig ? "That file is too large: the limit is " + Math.round(max / 1048576) + " MB." : "");
      if (tooBig) { input.reportValidity(); }
    });
  });

  // Stop a double click from sending the same form twice.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      if (!form.checkValidity()) { event.preventDefault(); form.reportValidity(); return; }
      form.dataset.sent = "1";
      var button = form.querySelector("button[type=submit]");
      if (button) { button.setAttribute("aria-busy", "true"); }
    });
  });
})();
