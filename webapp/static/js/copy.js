// Copy buttons: <button class="js-copy" data-copy-target="ID" data-copied="..." data-failed="..." hidden>.
// Without JavaScript (or without the Clipboard API) the button stays hidden and the code can be written down.
(function () {
  "use strict";

  function announce(text) {
    var status = document.getElementById("copy-status");
    if (!status) { return; }
    status.textContent = "";
    // A fresh text node after a tick makes screen readers announce a repeated message too.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function setUp(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(
        function () { announce(button.getAttribute("data-copied")); },
        function () { announce(button.getAttribute("data-failed")); }
      );
    });
  }

  if (!(navigator.clipboard && window.isSecureContext)) { return; }
  document.querySelectorAll(".js-copy").forEach(setUp);
}());
