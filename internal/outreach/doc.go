// Package outreach is the client for the Outreach CRM plugin configuration API described in
// shared/contract/outreach-plugin-api.md: authentication (a static token, the server-to-server
// JWT exchange, and rotating OAuth refresh tokens with a file cache shared between provider
// processes), the JSON:API codec, and one typed operation per call the provider makes.
//
// The package knows nothing of Terraform: it takes and returns plain Go values, so the provider
// layer never builds a URL or parses JSON, and every request goes through the shared httpx
// policy (retries, Retry-After, redacted logging).
//
// The plugin-settings endpoints are an assumed contract: Outreach publishes no API for them.
// Everything that depends on the wire format lives in this package, so adapting to the real
// internal endpoints is a change here and nowhere else.
package outreach
