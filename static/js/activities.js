// Adds an empty activity row without a round trip to the server. Without JavaScript the
// form still has one empty row, and saving brings a new one.
(function () {
  var rows = document.querySelector(".activity-rows");
  var template = document.getElementById("activity-template");
  var button = document.querySelector(".add-activity");
  if (!rows || !template || !button) return;
  var total = document.getElementById("id_" + rows.dataset.prefix + "-TOTAL_FORMS");
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var date = rows.lastElementChild.querySelector("input[data-datepicker]");
    if (date) date.focus();
  });
})();
