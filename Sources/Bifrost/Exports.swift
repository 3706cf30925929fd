// Workflow authors import `Bifrost` alone; `context.logger` is a swift-log `Logger`.
@_exported public import Logging
