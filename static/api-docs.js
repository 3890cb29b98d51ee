// Starts Swagger UI from the app's own copy; kept out of the page so the CSP needs no inline script.
window.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: element.dataset.openapiUrl, domNode: element });
});
