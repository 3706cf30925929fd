/// Facts about the request being handled that generated handlers (which cannot see the router context) need.
enum RequestTrace {
    /// The request's id, as in `X-Request-Id`.
    @TaskLocal static var requestID: String?
    /// The client's IP address, when the transport knows it.
    @TaskLocal static var clientAddress: String?
}
