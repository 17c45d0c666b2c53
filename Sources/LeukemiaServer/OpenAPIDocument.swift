/// The OpenAPI 3.1 description of the service, served at `/openapi.json`.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Leukemia blood-cell image classification service",
        "version": "1.0.0",
        "description": "Classify blood-smear images with trained runs of the Leukemia toolkit (`leukemia serve`). With --api-keys, every route but /, /healthz and /readyz needs `Authorization: Bearer KEY`. Errors are JSON {error, detail}."
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
          "Error": {
            "type": "object", "required": ["error", "detail"],
            "properties": {"error": {"type": "string", "description": "a short stable code, e.g. queue_full"},
                           "detail": {"type": "string", "description": "a sentence for a person"}}
          },
          "Model": {
            "type": "object",
            "properties": {
              "name": {"type": "string"}, "architecture": {"type": "string"},
              "classes": {"type": "array", "items": {"type": "string"}},
              "cost_matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
              "input_size": {"type": "integer"}, "test_metrics": {"type": ["object", "null"]},
              "calibrated": {"type": "boolean"}, "prediction_sets": {"type": "boolean"},
              "out_of_distribution_check": {"type": "boolean"}, "explainable": {"type": "boolean"},
              "purple_mask": {"type": "boolean"},
              "weights_sha256": {"type": "string"}
            }
          },
          "ImageResult": {
            "type": "object",
            "properties": {
              "file": {"type": "string"}, "sha256": {"type": "string"},
              "probabilities": {"type": "object", "additionalProperties": {"type": "number"}},
              "predicted_class": {"type": "string"}, "cost_optimal_class": {"type": "string"},
              "expected_cost": {"type": "number"},
              "prediction_set": {"type": ["array", "null"], "items": {"type": "string"}},
              "refer_to_person": {"type": ["boolean", "null"]},
              "out_of_distribution": {"type": ["string", "null"]},
              "latency_ms": {"type": "number"}
            }
          },
          "AuditRecord": {
            "type": "object",
            "properties": {
              "id": {"type": "integer"}, "time": {"type": "string", "format": "date-time"}, "client": {"type": "string"},
              "model": {"type": "string"}, "weights_sha256": {"type": "string"}, "image_name": {"type": "string"},
              "image_sha256": {"type": "string"}, "probabilities": {"type": "string", "description": "JSON object"},
              "predicted_class": {"type": "string"}, "cost_optimal_class": {"type": "string"},
              "expected_cost": {"type": "number"}, "prediction_set": {"type": ["string", "null"]},
              "refer_to_person": {"type": ["boolean", "null"]}, "out_of_distribution": {"type": ["string", "null"]}
            }
          }
        },
        "responses": {
          "Error": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "requestBodies": {
          "Images": {
            "required": true,
            "description": "One image as the raw body (its name in the X-File-Name header), or several as file parts of a form.",
            "content": {
              "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
              "image/png": {"schema": {"type": "string", "format": "binary"}},
              "multipart/form-data": {"schema": {"type": "object", "properties": {
                "images": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}
            }
          }
        },
        "parameters": {
          "name": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the run's folder name"}
        }
      },
      "security": [{"bearer": []}],
      "paths": {
        "/": {"get": {"summary": "The page for a laboratory", "security": [],
                      "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}}}},
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        "/healthz": {"get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "alive"}}}},
        "/readyz": {"get": {"summary": "Readiness: models loaded and warmed up", "security": [],
                            "responses": {"200": {"description": "ready"}, "503": {"$ref": "#/components/responses/Error"}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format",
                             "content": {"text/plain": {}}}, "401": {"$ref": "#/components/responses/Error"}}}},
        "/v1/models": {"get": {"summary": "The served models", "responses": {
          "200": {"description": "models", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "models": {"type": "array", "items": {"$ref": "#/components/schemas/Model"}}}}}}},
          "401": {"$ref": "#/components/responses/Error"}}}},
        "/v1/models/{name}/predict": {"post": {
          "summary": "Classify one or several images",
          "parameters": [{"$ref": "#/components/parameters/name"}],
          "requestBody": {"$ref": "#/components/requestBodies/Images"},
          "responses": {
            "200": {"description": "one result per image, in order", "content": {"application/json": {"schema": {
              "type": "object", "properties": {"model": {"type": "string"},
              "predictions": {"type": "array", "items": {"$ref": "#/components/schemas/ImageResult"}}}}}}},
            "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
            "415": {"$ref": "#/components/responses/Error"},
            "503": {"description": "the queue is full; retry after Retry-After seconds",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
          }}},
        "/v1/models/{name}/explain": {"post": {
          "summary": "Grad-CAM overlay (CNN runs) or purple mask (the hybrid) of one image",
          "parameters": [{"$ref": "#/components/parameters/name"},
                         {"name": "class", "in": "query", "schema": {"type": "string"},
                          "description": "the class to explain (default: the predicted one)"},
                         {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["grad-cam", "purple-mask"], "default": "grad-cam"},
                          "description": "purple-mask: the hybrid network's purple mask (the image, black outside the mask)"}],
          "requestBody": {"$ref": "#/components/requestBodies/Images"},
          "responses": {
            "200": {"description": "the heat map over the image as the network saw it",
                    "headers": {"X-Explained-Class": {"schema": {"type": "string"}}, "X-Probability": {"schema": {"type": "number"}}},
                    "content": {"image/png": {}}},
            "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
            "415": {"$ref": "#/components/responses/Error"},
            "422": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}
          }}},
        "/v1/predictions": {"get": {
          "summary": "The audit log: predictions answered, oldest first",
          "parameters": [{"name": "since", "in": "query", "schema": {"type": "string"}, "description": "ISO 8601 date or time"},
                         {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 1000}}],
          "responses": {
            "200": {"description": "records", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "predictions": {"type": "array", "items": {"$ref": "#/components/schemas/AuditRecord"}}}}}}},
            "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"}
          }}}
      }
    }
    """#
}
