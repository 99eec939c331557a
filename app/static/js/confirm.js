// Irreversible actions ask first. A form with data-confirm (rendered by the confirm_button macro)
// opens a native modal <dialog> with the question; Confirm sends the form with confirmed=yes, Cancel
// or Escape closes it and gives focus back to the button. Without this script the server shows its
// own confirmation page instead (app/confirmation.py), so nothing depends on it.
// The status form (data-demotion) asks the same way when the chosen status is below the current one.
(function () {
  "use strict";
  var dialog, heading, message, confirmButton, onConfirm = null, opener = null;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function build() {
    dialog = element("dialog", {id: "confirm-dialog", "aria-labelledby": "confirm-dialog-title",
                                "aria-describedby": "confirm-dialog-message"});
    var article = element("article", {});
    heading = element("h2", {id: "confirm-dialog-title"});
    message = element("p", {id: "confirm-dialog-message"});
    var footer = element("footer", {});
    var cancelButton = element("button", {type: "button", "class": "secondary", autofocus: ""}, "Cancel");
    confirmButton = element("button", {type: "button", "class": "confirm-danger"});
    cancelButton.addEventListener("click", function () { dialog.close("cancel"); });
    confirmButton.addEventListener("click", function () { dialog.close("confirm"); });
    footer.append(cancelButton, confirmButton);
    article.append(heading, message, footer);
    dialog.append(article);
    // Escape fires "cancel" and closes the dialog natively; "close" covers every way out.
    dialog.addEventListener("close", function () {
      var action = dialog.returnValue === "confirm" ? onConfirm : null;
      onConfirm = null;
      if (action) { action(); } else if (opener) { opener.focus(); }
    });
    document.body.append(dialog);
  }

  // Ask `question` ({title, message, label}); run `then` on Confirm. Focus starts on Cancel.
  function ask(question, from, then) {
    if (!dialog) { build(); }
    heading.textContent = question.title;
    message.textContent = question.message;
    confirmButton.textContent = question.label || "Confirm";
    opener = from;
    onConfirm = then;
    dialog.returnValue = "";
    dialog.showModal();
  }

  function sendConfirmed(form) {
    var field = form.querySelector("input[name=confirmed]") || element("input", {type: "hidden", name: "confirmed"});
    field.value = "yes";
    form.append(field);
    form.submit();
  }

  function isDemotion(form) {
    var select = form.querySelector("select[data-current]");
    if (!select) { return false; }
    var options = Array.prototype.map.call(select.options, function (o) { return o.value; });
    return options.indexOf(select.value) < options.indexOf(select.dataset.current);
  }

  function demotionQuestion(form) {
    var select = form.querySelector("select[data-current]");
    var current = select.querySelector("option[value='" + select.dataset.current + "']");
    var chosen = select.options[select.selectedIndex];
    return {title: "Demote " + form.dataset.demotion + " from " + current.textContent + " to " + chosen.textContent + "?",
            message: "They lose the perks of " + current.textContent + " at once and are notified, with your reason.",
            label: "Demote"};
  }

  function showDemotionBox(form) {
    var box = form.querySelector("[data-demotion-box]");
    if (box) { box.hidden = !isDemotion(form); }
  }

  document.querySelectorAll("form[data-demotion]").forEach(function (form) {
    var select = form.querySelector("select[data-current]");
    if (!select) { return; }
    showDemotionBox(form);
    select.addEventListener("change", function () { showDemotionBox(form); });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || form.querySelector("button[type=submit]");
    if (form.matches("form[data-confirm]")) {
      event.preventDefault();
      ask({title: form.dataset.confirmTitle, message: form.dataset.confirm, label: form.dataset.confirmLabel},
          submitter, function () { sendConfirmed(form); });
    } else if (form.matches("form[data-demotion]") && isDemotion(form)) {
      var tick = form.querySelector("input[type=checkbox][name=confirm_demotion]");
      if (!tick || tick.checked) { return; }
      event.preventDefault();
      ask(demotionQuestion(form), submitter, function () { tick.checked = true; form.submit(); });
    }
  });
})();
