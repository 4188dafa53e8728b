// A small calendar next to every date field (input[data-datepicker], see assessments.forms.ThaiDateInput):
// years in the Buddhist Era, month and weekday names from the field's data attributes, which Django
// renders in the interface's language. It writes dd/mm/BBBB, the way the field reads dates; without
// JavaScript the field is typed into as it is. Listeners are on the document, so rows added later
// by the activities formset get a picker too.
(function () {
  var OFFSET = 543; // Buddhist Era = Christian era + 543
  var open = null; // {input, panel, shown: first of the month shown, chosen: Date}

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The date typed in the field, as far as the picker needs it: dd/mm/yyyy (BE or CE), or ISO.
  function typed(value) {
    var digits = value.replace(/[๐-๙]/g, function (c) { return String(c.charCodeAt(0) - 0x0e50); });
    var m = digits.match(/^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{2}|\d{4})\s*$/);
    var day, month, year;
    if (m) {
      day = +m[1]; month = +m[2]; year = +m[3];
      if (m[3].length === 2) year += 2500;
      if (year >= 2400) year -= OFFSET;
    } else if ((m = digits.match(/^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/))) {
      year = +m[1]; month = +m[2]; day = +m[3];
      if (year >= 2400) year -= OFFSET;
    } else {
      return null;
    }
    var date = new Date(year, month - 1, day);
    return date.getMonth() === month - 1 && date.getDate() === day ? date : null;
  }

  function sameDay(a, b) {
    return a && b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function button(text, label, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  function draw() {
    var input = open.input, panel = open.panel, shown = open.shown;
    var months = (input.dataset.months || "").split("|");
    var weekdays = (input.dataset.weekdays || "").split("|");
    panel.textContent = "";
    var head = document.createElement("div");
    head.className = "datepicker-head";
    var title = document.createElement("span");
    title.className = "datepicker-title";
    title.setAttribute("aria-live", "polite");
    title.textContent = months[shown.getMonth()] + " " + (shown.getFullYear() + OFFSET);
    head.appendChild(button("‹", input.dataset.previousLabel, "datepicker-prev"));
    head.appendChild(title);
    head.appendChild(button("›", input.dataset.nextLabel, "datepicker-next"));
    panel.appendChild(head);

    var grid = document.createElement("table");
    grid.className = "datepicker-grid";
    grid.setAttribute("role", "grid");
    var row = document.createElement("tr");
    weekdays.forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      row.appendChild(th);
    });
    grid.appendChild(row);
    var day = new Date(shown.getFullYear(), shown.getMonth(), 1);
    var blanks = (day.getDay() + 6) % 7; // Monday first
    row = document.createElement("tr");
    for (var i = 0; i < blanks; i++) row.appendChild(document.createElement("td"));
    while (day.getMonth() === shown.getMonth()) {
      if (row.children.length === 7) { grid.appendChild(row); row = document.createElement("tr"); }
      var cell = document.createElement("td");
      var b = button(String(day.getDate()), "", "datepicker-day");
      b.dataset.date = day.getFullYear() + "-" + (day.getMonth() + 1) + "-" + day.getDate();
      b.tabIndex = sameDay(day, open.focus) ? 0 : -1;
      if (sameDay(day, open.chosen)) b.setAttribute("aria-pressed", "true");
      if (sameDay(day, new Date())) b.classList.add("today");
      cell.appendChild(b);
      row.appendChild(cell);
      day.setDate(day.getDate() + 1);
    }
    grid.appendChild(row);
    panel.appendChild(grid);
  }

  function focusDay() {
    var b = open.panel.querySelector(".datepicker-day[tabindex='0']");
    if (b) b.focus();
  }

  function show(input, toggle) {
    close(false);
    var chosen = typed(input.value);
    var focus = chosen || new Date();
    var panel = document.createElement("div");
    panel.className = "datepicker";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", input.dataset.pickerLabel || "");
    toggle.after(panel);
    toggle.setAttribute("aria-expanded", "true");
    open = { input: input, toggle: toggle, panel: panel, chosen: chosen, focus: focus,
             shown: new Date(focus.getFullYear(), focus.getMonth(), 1) };
    draw();
    focusDay();
  }

  function close(refocus) {
    if (!open) return;
    open.panel.remove();
    open.toggle.setAttribute("aria-expanded", "false");
    if (refocus) open.toggle.focus();
    open = null;
  }

  function moveTo(date) {
    open.focus = date;
    open.shown = new Date(date.getFullYear(), date.getMonth(), 1);
    draw();
    focusDay();
  }

  function pick(date) {
    var input = open.input;
    input.value = pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + (date.getFullYear() + OFFSET);
    input.dispatchEvent(new Event("change", { bubbles: true }));
    close(false);
    input.focus();
  }

  // Drawn rather than an emoji: many machines (servers' browsers among them) have no emoji font.
  function calendarIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    [["rect", { x: "1.5", y: "3", width: "13", height: "11.5", rx: "1.5" }],
     ["line", { x1: "1.5", y1: "6.5", x2: "14.5", y2: "6.5" }],
     ["line", { x1: "5", y1: "1", x2: "5", y2: "4.5" }],
     ["line", { x1: "11", y1: "1", x2: "11", y2: "4.5" }]].forEach(function (part) {
      var shape = document.createElementNS(ns, part[0]);
      Object.keys(part[1]).forEach(function (name) { shape.setAttribute(name, part[1][name]); });
      svg.appendChild(shape);
    });
    return svg;
  }

  // A button after each date field; run again whenever rows are added.
  function attach(root) {
    root.querySelectorAll("input[data-datepicker]").forEach(function (input) {
      if (input.dataset.pickerReady || input.closest("template")) return;
      input.dataset.pickerReady = "1";
      var toggle = button("", input.dataset.pickerLabel, "datepicker-toggle");
      toggle.appendChild(calendarIcon());
      toggle.setAttribute("aria-haspopup", "dialog");
      toggle.setAttribute("aria-expanded", "false");
      input.after(toggle);
    });
  }

  attach(document);
  new MutationObserver(function () { attach(document); }).observe(document.body, { childList: true, subtree: true });

  document.addEventListener("click", function (event) {
    var target = event.target;
    var toggle = target.closest(".datepicker-toggle");
    if (toggle) {
      var input = toggle.previousElementSibling;
      if (open && open.toggle === toggle) close(true); else show(input, toggle);
      return;
    }
    if (!open || !open.panel.contains(target)) { if (open && !open.panel.contains(target)) close(false); return; }
    if (target.closest(".datepicker-prev")) moveTo(new Date(open.shown.getFullYear(), open.shown.getMonth() - 1, 1));
    else if (target.closest(".datepicker-next")) moveTo(new Date(open.shown.getFullYear(), open.shown.getMonth() + 1, 1));
    else if (target.closest(".datepicker-day")) {
      var parts = target.closest(".datepicker-day").dataset.date.split("-");
      pick(new Date(+parts[0], +parts[1] - 1, +parts[2]));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!open || !open.panel.contains(event.target)) return;
    var f = open.focus, step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[event.key];
    if (event.key === "Escape") { event.preventDefault(); close(true); }
    else if (step && event.target.classList.contains("datepicker-day")) {
      event.preventDefault();
      moveTo(new Date(f.getFullYear(), f.getMonth(), f.getDate() + step));
    } else if (event.key === "PageUp" || event.key === "PageDown") {
      event.preventDefault();
      moveTo(new Date(f.getFullYear(), f.getMonth() + (event.key === "PageUp" ? -1 : 1), 1));
    }
  });
})();
