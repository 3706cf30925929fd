// The generated `APIProtocol`, `Operations` and `Components` live in this module; they come from
// ../../openapi.yaml through the OpenAPIGenerator build plugin. Handlers are in BifrostGateway.
