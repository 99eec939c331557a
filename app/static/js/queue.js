// The approval queue by keyboard and in place (templates/admin/approvals.html).
// j / ArrowDown: next row, k / ArrowUp: previous, a: approve, r: reject (focus the reason; Enter sends),
// x: select for the bulk form, Escape: from a field back to its row. A decision is sent with the same
// form and `Accept: application/json`; the row then shows "Approved · +N points" or "Rejected" where it
// stands and the next waiting row gets the focus. Without this script every form is a plain POST that
// comes back to the same filters and page.
(function () {
  "use strict";
  var rows = [], current = -1;

  function rowOf(node) { return node && node.closest ? node.closest(".qrow") : null; }

  function waiting(row) { return row && !row.classList.contains("is-decided"); }

  function select(index, focus) {
    if (index < 0 || index >= rows.length) { return; }
    if (current >= 0 && rows[current]) { rows[current].classList.remove("is-current"); }
    current = index;
    rows[current].classList.add("is-current");
    if (focus) {
      rows[current].focus({preventScroll: true});
      rows[current].scrollIntoView({block: "nearest"});
    }
  }

  function move(step) {
    var i = current < 0 ? (step > 0 ? 0 : rows.length - 1) : current + step;
    select(Math.max(0, Math.min(rows.length - 1, i)), true);
  }

  function nextWaiting(from) {
    for (var i = from + 1; i < rows.length; i += 1) { if (waiting(rows[i])) { return i; } }
    for (var j = from - 1; j >= 0; j -= 1) { if (waiting(rows[j])) { return j; } }
    return from;
  }

  function setStatus(row, text, kind) {
    var status = row.querySelector(".qrow-status");
    status.textContent = text;
    status.className = "qrow-status" + (kind ? " " + kind : "");
  }

  function lessOf(name) {  // the counts above the queue follow the decisions made here
    var count = document.querySelector("[data-count='" + name + "']");
    if (!count) { return; }
    var value = parseInt(count.textContent.replace(/[^0-9]/g, ""), 10) - 1;
    if (value >= 0) { count.textContent = value.toLocaleString("en-US"); }
  }

  function markDecided(id, label) {
    var row = document.getElementById("row-" + id);
    if (!row || row.classList.contains("is-decided")) { return; }
    lessOf("waiting");
    lessOf("matching");
    if (row.classList.contains("overdue")) { lessOf("overdue"); }
    row.classList.add("is-decided", label.indexOf("Rejected") === 0 ? "is-rejected" : "is-approved");
    row.querySelectorAll(".qrow-decide form").forEach(function (form) { form.hidden = true; });
    var box = row.querySelector(".qrow-pick input");
    if (box) { box.checked = false; box.disabled = true; }
    setStatus(row, label, "");
  }

  function showFieldError(form, message) {
    var input = form.querySelector("input[name$='reason']");
    var id = input.id + "-error", small = document.getElementById(id);
    if (!small) {
      small = document.createElement("small");
      small.id = id;
      small.className = "field-error";
      input.insertAdjacentElement("afterend", small);
    }
    small.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.focus();
  }

  function answered(form, row, reply) {
    if (reply.body.decided) {
      Object.keys(reply.body.decided).forEach(function (id) { markDecided(id, reply.body.decided[id]); });
      if (!row) { setBulkStatus(reply.body.message); return; }
      var at = rows.indexOf(row);
      select(nextWaiting(at), true);
      return;
    }
    var error = reply.body.error || {message: "Something went wrong; reload the page."};
    if (error.field === "reason" && form.querySelector("input[name$='reason']")) {
      showFieldError(form, error.message);
    } else if (row) {
      setStatus(row, error.message, "is-error");
    } else {
      setBulkStatus(error.message);
    }
  }

  function setBulkStatus(text) {
    var status = document.getElementById("bulk-status");
    if (status) { status.textContent = text; }
  }

  function send(event) {
    var form = event.target;
    if (!form.matches(".qrow-approve, .qrow-reject, #bulk")) { return; }
    event.preventDefault();
    var data = new FormData(form, event.submitter || null);
    // getAttribute: the bulk form's buttons are named "action", which shadows form.action
    fetch(form.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin",
                        headers: {Accept: "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) { throw new Error("not json"); }
        return response.json().then(function (body) { return {status: response.status, body: body}; });
      })
      .then(function (reply) { answered(form, rowOf(form), reply); })
      .catch(function () { form.submit(); });
  }

  function typing(target) {
    return target && target.matches && target.matches("input, textarea, select, [contenteditable]");
  }

  function act(key) {
    var row = rows[current];
    if (!waiting(row)) { return false; }
    if (key === "a") {
      var approve = row.querySelector(".qrow-approve");
      approve.requestSubmit();
    } else if (key === "r") {
      row.querySelector(".qrow-reject input[name$='reason']").focus();
    } else if (key === "x") {
      var box = row.querySelector(".qrow-pick input");
      box.checked = !box.checked;
    } else {
      return false;
    }
    return true;
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape" && rowOf(event.target)) { select(rows.indexOf(rowOf(event.target)), true); }
      return;
    }
    var key = event.key, handled = true;
    if (key === "j" || key === "ArrowDown") { move(1); }
    else if (key === "k" || key === "ArrowUp") { move(-1); }
    else if (current < 0 && (key === "a" || key === "r" || key === "x")) { select(0, true); handled = act(key); }
    else if (current >= 0) { handled = act(key); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  }

  function selectAll() {
    var all = document.getElementById("select-all");
    if (!all) { return; }
    all.closest("label").hidden = false;
    all.addEventListener("change", function () {
      rows.forEach(function (row) {
        var box = row.querySelector(".qrow-pick input");
        if (box && !box.disabled) { box.checked = all.checked; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    rows = Array.prototype.slice.call(document.querySelectorAll(".qrow"));
    if (!rows.length) { return; }
    document.addEventListener("keydown", onKey);
    document.addEventListener("submit", send);
    document.addEventListener("focusin", function (event) {
      var row = rowOf(event.target);
      if (row) { select(rows.indexOf(row), false); }
    });
    selectAll();
  });
}());
