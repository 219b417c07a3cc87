// Starts Swagger UI on /api/docs (adapters/web/api_docs.py) with the page's OpenAPI document.
// A classic script, after swagger-ui-bundle.js, which defines SwaggerUIBundle.
window.ui = window.SwaggerUIBundle({
  url: document.body.dataset.openapi,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null, // no badge from another host
  presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
});
