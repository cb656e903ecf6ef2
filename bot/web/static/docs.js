// Starts Swagger UI on /docs. FastAPI's own page starts it with an inline script and loads it
// from a CDN; this page's Content-Security-Policy allows neither, so the start is this file
// and Swagger UI comes from the gateway (/static/api-docs, the fastapi-offline package).
(function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // The default validator is a third-party service: its badge would leave the network.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
})();
