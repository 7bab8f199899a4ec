// Every page: move the focus to an error the server marked with data-autofocus (the console's error, the
// compare form's error summary), so that keyboard and screen-reader users start where the problem is and
// hear it at once (WCAG 3.3.1, 4.1.3).  Without JavaScript the error is still first in the page.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var target = document.querySelector("[data-autofocus]");
  if (target) {
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }
});
