// Package whatsapp speaks the WhatsApp Cloud API wire format for papo.
//
// It has three parts and knows nothing of conversations, contacts or
// databases:
//
//   - Webhook signatures ([VerifySignature], [CheckSignature], [Sign]):
//     HMAC-SHA256 over the exact raw request body, as Meta sends it in the
//     X-Hub-Signature-256 header (F25).
//   - Webhook parsing ([ParseWebhook]): the notification envelope is walked
//     entry by entry and change by change into normalised values —
//     [Inbound] messages, [Status] updates, out-of-band [ChangeError]s and
//     [Other] fields — each carrying the [Metadata] (WABA id, phone number id,
//     display number) of the change it came in (F18, F25). A bad item is
//     recorded in [Notification.Invalid] without failing the batch.
//   - The Graph API [Client] (F26): sending text, media, reactions and
//     templates, read receipts, media upload, lookup and download, and
//     template listing, with Graph errors decoded into [*APIError] and
//     mapped to agent-facing reasons ([Reason]) and retry advice
//     ([APIError.Retryable], [Retryable], [BackoffHint]).
//
// Template helpers ([Template.Parameters], [BuildComponents], [Render]) turn
// an approved template and the parameter values an agent typed into the send
// payload and the preview text.
//
// The wire facts this package relies on are collected in the project's
// WhatsApp Cloud API fact sheet (whatsapp-cloud-api.md). The package never
// logs, and no error it returns contains the access token.
package whatsapp
