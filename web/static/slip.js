/* The slip's print link (no inline scripts under the pages' Content-Security-Policy). */
(function () {
  "use strict";
  var link = document.getElementById("print-slip");
  if (link) { link.addEventListener("click", function (event) { event.preventDefault(); window.print(); }); }
})();
