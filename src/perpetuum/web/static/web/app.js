/* Perpetuum workspace behaviour: keyboard navigation of the global search, menus that close
   on Escape or outside clicks, and the bulk-action bar of lists. No dialogs, no framework;
   every page also works without this file. */
(function () {
  "use strict";

  function setupSearch(form) {
    var input = form.querySelector('input[role="combobox"]');
    var box = form.querySelector('[role="listbox"]');
    if (!input || !box) { return; }
    var active = -1;

    function options() { return Array.prototype.slice.call(box.querySelectorAll('[role="option"]')); }

    function setActive(index) {
      var list = options();
      list.forEach(function (option) {
        option.classList.remove("is-active");
        option.setAttribute("aria-selected", "false");
      });
      if (!list.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = (index + list.length) % list.length;
      var option = list[active];
      option.classList.add("is-active");
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function refresh() {
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var hasContent = box.querySelector('[role="option"], .suggest-empty') !== null;
      box.hidden = !hasContent;
      input.setAttribute("aria-expanded", hasContent ? "true" : "false");
    }

    function close() {
      box.innerHTML = "";
      refresh();
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (box.hidden) { return; }
        setActive(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (box.hidden) { return; }
        setActive(active - 1);
      } else if (event.key === "Enter") {
        var list = options();
        if (active >= 0 && list[active]) {
          event.preventDefault();
          window.location.assign(list[active].href);
        }
      } else if (event.key === "Escape" && !box.hidden) {
        event.preventDefault();
        close();
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail && event.detail.target === box) { refresh(); }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) { close(); }
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      var typing = tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable;
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
      }
    });
    refresh();
  }

  function setupMenus() {
    var menus = Array.prototype.slice.call(document.querySelectorAll("details[data-menu]"));
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      menus.forEach(function (menu) {
        if (menu.open) {
          menu.open = false;
          var summary = menu.querySelector("summary");
          if (summary) { summary.focus(); }
        }
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target) && menu.classList.contains("user-menu")) { menu.open = false; }
      });
    });
  }

  function setupBulk(form) {
    var checkAll = document.querySelector("[data-check-all]");
    var counter = form.querySelector("[data-bulk-count]");
    var action = form.querySelector("[data-bulk-action]");
    var dependents = Array.prototype.slice.call(form.querySelectorAll("[data-bulk-for]"));
    function boxes() { return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="' + form.id + '"]')); }

    function update() {
      var checked = boxes().filter(function (box) { return box.checked; }).length;
      if (counter) {
        counter.textContent = checked
          ? form.dataset.countSome.replace("__count__", String(checked))
          : form.dataset.countNone;
      }
      if (checkAll) {
        var all = boxes();
        checkAll.checked = all.length > 0 && checked === all.length;
        checkAll.indeterminate = checked > 0 && checked < all.length;
      }
    }
    function showDependents() {
      dependents.forEach(function (element) {
        var visible = action && element.getAttribute("data-bulk-for") === action.value;
        element.hidden = !visible;
        element.required = !!visible;
      });
    }
    if (checkAll) {
      checkAll.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = checkAll.checked; });
        update();
      });
    }
    document.addEventListener("change", function (event) {
      if (event.target.name === "ids") { update(); }
    });
    if (action) { action.addEventListener("change", showDependents); }
    showDependents();
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-search]").forEach(setupSearch);
    document.querySelectorAll("form[data-bulk]").forEach(setupBulk);
    setupMenus();
  });
})();
