// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:configRequest", function () {});
