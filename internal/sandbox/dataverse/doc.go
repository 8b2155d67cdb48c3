// Package dataverse is an in-memory emulator of the part of the Microsoft Dataverse Web API that
// the provider uses (column metadata, publishing, solution membership, WhoAmI), of the data API
// for the lead and contact records the Outreach plugin syncs (datarows.go), and of the
// Microsoft Entra ID endpoints that azidentity/MSAL call for the OAuth2 client-credentials grant.
//
// It is one half of the local sandbox (see internal/sandbox); the other half composes it through
// Org. The emulator is written from ../shared/facts/dataverse-web-api.md, not from the provider's
// client, so each side tests the other: it reproduces the real services' validation and error
// shapes where they are documented, and where they are not, it makes a choice and says so in a
// comment next to the code that makes it (grep for "Assumption:").
//
// Everything is served by Org.Handler, relative to the org's base URL:
//
//	/api/data/v9.2/...                               Dataverse Web API (v9.0 and v9.1 are aliases)
//	/{tenant}/v2.0/.well-known/openid-configuration   Entra ID discovery
//	/{tenant}/oauth2/v2.0/token                       Entra ID token endpoint (client credentials)
//	/{tenant}/discovery/v2.0/keys                     Entra ID JWKS (empty: tokens are opaque)
//
// The package imports only the standard library; it never imports the provider's clients.
package dataverse
