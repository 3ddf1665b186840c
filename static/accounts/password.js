// Live check of the password rules on the "choose a password" form (activation, reset).
// Progressive enhancement: the server checks the same rules; without JS the form still works.
(function () {
  "use strict";
  function init() {
    var input = document.querySelector("[data-password-rules]");
    var confirm = document.querySelector("[data-password-confirm]");
    var rules = document.getElementById("password-rules");
    if (!input || !rules) { return; }
    var items = {};
    rules.querySelectorAll("[data-rule]").forEach(function (item) {
      items[item.getAttribute("data-rule")] = item;
      item.setAttribute("data-label", item.textContent);
    });
    function mark(name, ok) {
      var item = items[name];
      if (!item) { return; }
      item.classList.toggle("rule-ok", ok);
      item.classList.toggle("rule-ko", !ok);
      // The state is said in words, not only by colour (screen readers, colour blindness).
      item.textContent = (ok ? "✓ " : "✗ ") + item.getAttribute("data-label");
    }
    function check() {
      var value = input.value;
      var length = Array.from(value).length;
      mark("length", length >= 12 && length <= 128);
      var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) { return re.test(value); }).length;
      mark("variety", kinds >= 3);
      if (confirm) { mark("match", value.length > 0 && value === confirm.value); }
    }
    input.addEventListener("input", check);
    if (confirm) { confirm.addEventListener("input", check); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
