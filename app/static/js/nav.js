// Staff navigation menus are native <details> elements: they open and close with a click, Enter or
// Space without any script. This adds what <details> lacks: opening one menu closes the others, and
// Escape closes an open menu and returns focus to its button, and a menu that would stick out of a
// narrow screen is lined up with the other edge of its button. Clicking outside closes it through
// Pico's dropdown overlay. On a phone the links fold behind a "Menu" button (shown only with this
// script, so without it the links simply stay in view).
(function () {
  "use strict";
  var menus = document.querySelectorAll(".nav-links details.dropdown");

  function keepOnScreen(list) {
    list.style.left = "";
    list.style.right = "";
    var box = list.getBoundingClientRect();
    if (box.right > document.documentElement.clientWidth) {
      list.style.left = "auto";
      list.style.right = "0";
    } else if (box.left < 0) {
      list.style.left = "0";
      list.style.right = "auto";
    }
  }

  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) { return; }
      menus.forEach(function (other) { if (other !== menu) { other.open = false; } });
      keepOnScreen(menu.querySelector("ul"));
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus.forEach(function (menu) {
      if (!menu.open) { return; }
      menu.open = false;
      menu.querySelector("summary").focus();
      event.preventDefault();  // this Escape closed a menu; the phone menu stays open
    });
  });

  var toggle = document.querySelector(".nav-toggle");
  var links = document.getElementById("nav-links");
  function unfold(open) {
    toggle.setAttribute("aria-expanded", String(open));
    links.classList.toggle("folded", !open);
  }
  if (toggle && links) {
    toggle.hidden = false;
    links.classList.add("folded");
    toggle.addEventListener("click", function () { unfold(toggle.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.defaultPrevented && toggle.getAttribute("aria-expanded") === "true") {
        unfold(false);
        toggle.focus();
      }
    });
  }
})();
