// A form that failed shows a summary of its problems at the top (templates/includes/form_errors.html):
// move the focus there so that it is read out and seen first. Its links lead to the fields.
(function () {
  var summary = document.querySelector(".form-errors");
  if (summary) summary.focus();
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".form-errors a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });
})();
