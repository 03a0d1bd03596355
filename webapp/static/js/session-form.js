// The admin's session form: choosing another format proposes that format's usual place, as the
// server does without JavaScript (webapp/sessions/places.py): only while the place is empty or
// still the previous format's usual one, so a place someone wrote themselves is kept.
(function () {
  "use strict";

  var form = document.querySelector("form.session-form");
  if (!form) { return; }
  var defaults = JSON.parse(form.getAttribute("data-default-places") || "{}");
  var place = form.querySelector("input[name='location']");
  var radios = form.querySelectorAll("input[name='format']");
  if (!place || !radios.length) { return; }

  function chosen() {
    var checked = form.querySelector("input[name='format']:checked");
    return checked ? checked.value : null;
  }

  var previous = chosen();
  radios.forEach(function (radio) {
    radio.addEventListener("change", function () {
      var next = chosen();
      var current = place.value.trim();
      if (next && (current === "" || current === (defaults[previous] || "")) && defaults[next] !== undefined) {
        place.value = defaults[next];
      }
      previous = next;
    });
  });
}());
