// The mission form's audience picker: a live count of the advocates the audience reaches, and a
// search that adds a named advocate's email. Without this script the "Check audience" button asks the
// server for the same count and the emails are typed by hand.
(function () {
  "use strict";
  var box = document.getElementById("audience");
  if (!box) { return; }
  var form = box.closest("form");
  var output = document.getElementById("audience-count");
  var emails = document.getElementById("advocate_emails");
  var fields = ["activity_id", "min_status", "readiness_tiers", "industries", "regions", "tags", "advocate_emails"];
  var countTimer = null, countRequest = 0;

  function debounce(timer, wait, work) {
    clearTimeout(timer);
    return setTimeout(work, wait);
  }

  function audienceQuery() {
    var data = new FormData(form), query = new URLSearchParams();
    fields.forEach(function (name) {
      data.getAll(name).forEach(function (value) { query.append(name, value); });
    });
    return query.toString();
  }

  function refreshCount() {
    var mine = ++countRequest;
    output.parentNode.setAttribute("aria-busy", "true");
    fetch(box.dataset.countUrl + "?" + audienceQuery(), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (result) {
        if (mine !== countRequest) { return; }  // a newer request is on its way
        output.textContent = result.text;
        output.parentNode.classList.toggle("audience-none", result.matching === 0);
      })
      .catch(function () {
        if (mine === countRequest) { output.textContent = "The count could not be updated; use “Check audience”."; }
      })
      .finally(function () { if (mine === countRequest) { output.parentNode.removeAttribute("aria-busy"); } });
  }

  function scheduleCount() { countTimer = debounce(countTimer, 300, refreshCount); }

  form.addEventListener("change", function (event) {
    if (fields.indexOf(event.target.name) >= 0) { scheduleCount(); }
  });
  if (emails) { emails.addEventListener("input", scheduleCount); }

  // Named advocates: search by name, email or company; "Add" appends the email to the list.
  var search = box.querySelector("[data-search]");
  if (!search || !emails) { return; }
  var input = document.getElementById("advocate-search");
  var results = document.getElementById("advocate-search-results");
  var searchTimer = null, searchRequest = 0;
  search.hidden = false;

  function listed() {
    return emails.value.split(/[\s,]+/).filter(Boolean).map(function (e) { return e.toLowerCase(); });
  }

  function add(email) {
    if (listed().indexOf(email.toLowerCase()) < 0) {
      emails.value = emails.value.replace(/\s*$/, "") + (emails.value.trim() ? "\n" : "") + email;
      scheduleCount();
    }
  }

  function show(advocates) {
    results.replaceChildren();
    if (!advocates.length) {
      var none = document.createElement("li");
      none.textContent = input.value.trim().length < 2 ? "" : "No advocate found.";
      if (none.textContent) { results.append(none); }
      return;
    }
    advocates.forEach(function (advocate) {
      var item = document.createElement("li");
      var who = document.createElement("span");
      who.textContent = advocate.name + (advocate.company ? " · " + advocate.company : "") + " ";
      var email = document.createElement("small");
      email.textContent = advocate.email;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary outline small-button";
      button.textContent = listed().indexOf(advocate.email.toLowerCase()) >= 0 ? "Added" : "Add";
      button.setAttribute("aria-label", "Add " + advocate.name);
      button.addEventListener("click", function () { add(advocate.email); button.textContent = "Added"; });
      who.append(email);
      item.append(who, button);
      results.append(item);
    });
  }

  input.addEventListener("input", function () {
    searchTimer = debounce(searchTimer, 250, function () {
      var mine = ++searchRequest, query = input.value.trim();
      if (query.length < 2) { show([]); return; }
      fetch(box.dataset.searchUrl + "?q=" + encodeURIComponent(query), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {advocates: []}; })
        .then(function (result) { if (mine === searchRequest) { show(result.advocates); } });
    });
  });
  // Enter in the search box must not submit the mission form.
  input.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
})();
