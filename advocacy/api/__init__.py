"""The partner API: JSON routes under /api/v1, their OpenAPI document, and CORS."""
