// Copy buttons: <button data-copy="ID"> copies the value of the field with that id. Without
// JavaScript the buttons stay hidden and the readonly fields can be selected and copied by hand.
(function () {
  "use strict";

  function announce(button, text) {
    var status = document.getElementById(button.dataset.status);
    if (status) { status.textContent = text; }
  }

  function fallbackCopy(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { announce(button, "Copied to the clipboard."); };
      var failed = function () {
        announce(button, fallbackCopy(field) ? "Copied to the clipboard." : "Select the text and copy it.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
