// Starts Swagger UI on this API's spec; the bearer key stays in this browser tab only.
window.addEventListener('DOMContentLoaded', function () {
  window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger',
    deepLinking: true,
    persistAuthorization: false,
    tryItOutEnabled: true,
    displayRequestDuration: true,
  });
});
