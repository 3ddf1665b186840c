// Progressive enhancements of the billing perimeter pages; everything works without them.
(function () {
  "use strict";

  // "Tout sélectionner sur cette page": shown only when JavaScript can honour it.
  function revealSelectAll(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (el) {
      el.hidden = false;
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-select-all]")) {
      var group = box.getAttribute("data-select-all");
      document.querySelectorAll('input[data-group="' + group + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    }
    if (box.id === "id_invoice_delivery") {
      toggleDelivery(box.value);
    }
  });

  // The e-mail and ChorusPro fields appear only for their delivery mode.
  function toggleDelivery(value) {
    document.querySelectorAll("[data-delivery]").forEach(function (block) {
      block.hidden = block.getAttribute("data-delivery") !== value;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    revealSelectAll(document);
    var delivery = document.getElementById("id_invoice_delivery");
    if (delivery) {
      toggleDelivery(delivery.value);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    revealSelectAll(event.target.ownerDocument || document);
  });
})();
