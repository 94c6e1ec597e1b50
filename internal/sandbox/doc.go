// Package sandbox imitates the WhatsApp Cloud API and the customers' phones behind it (F27), so papo
// can be tried, tested and benchmarked with no Meta account.
//
// The sandbox is an independent imitation of Meta built from the wire format alone
// (shared/spec/whatsapp-cloud-api.md). It shares no code with papo's production WhatsApp client and
// imports no other papo package; it talks to papo only over HTTP, as Meta would, so papo's real code
// path is the one exercised. All state is in memory. A [Sandbox] is safe for concurrent use.
//
// Routes, relative to the mount point ([Sandbox.Handler]; papo mounts it at /sandbox/):
//
// Graph API imitation (a channel's graph_api_url is <base>/sandbox/graph), Bearer token required:
//
//	POST   graph/{version}/{phone_number_id}/messages     send (text, media by id or link, reaction,
//	                                                      template, location, contacts, interactive,
//	                                                      context replies) or read receipt / typing
//	POST   graph/{version}/{phone_number_id}/media        multipart upload → {"id"}; §7 limits (131053)
//	GET    graph/{version}/{media_id}                     {"url","mime_type","sha256","file_size","id",...}
//	DELETE graph/{version}/{media_id}                     {"success":true}
//	GET    graph/{version}/{phone_number_id}              the number (verified_name, display_phone_number...)
//	GET    graph/{version}/{waba_id}/message_templates    fields, limit, after/before, name/status/category/language
//	GET    graph/{version}/{waba_id}/phone_numbers        the configured numbers
//	GET    lookaside/whatsapp_business/attachments/?mid=  media download (the "url" above; ~5 minutes)
//	*      graph/...                                      anything else: 400 GraphMethodException
//
// Customer simulator and test controls (no token):
//
//	GET    api/numbers                  business numbers and WABA id
//	GET    api/phones                   phones; POST api/phones {"wa_id","name"} registers one
//	POST   api/phones/{wa_id}/messages  the customer sends (text, image, audio, video, document,
//	                                    sticker, location, contacts, interactive, button, reaction,
//	                                    unsupported, raw) → 201 item + "webhook" (first attempt)
//	GET    api/phones/{wa_id}/messages  {"items":[...], "typing"}: the chat, oldest first
//	POST   api/phones/{wa_id}/read      the customer reads: sent/delivered/read statuses to papo
//	POST   api/statuses                 post any status of a business message {"message_id","status","code"?}
//	GET    api/media/{id}               a file, for the phone page
//	GET    api/stats, DELETE api/stats  counters: accepted, rate_limited, duplicates, by_phone...
//	GET    api/sent                     every accepted business message with its request (?to=)
//	GET/POST/DELETE api/failures        injected Graph failures {"code","http_status","count","match",
//	                                    "phone_number_id","to","html","async","accept","delay_ms"}
//	GET/POST api/templates              the templates; POST adds or replaces (object, array or {"data"})
//	GET/POST api/deliveries             the webhook delivery log; POST sends a raw body {"body","bad_signature","retry"}
//	POST   api/token                    {"access_token"?, "expired"?}: rotate or expire the token (190/463)
//
// The phone page is served at the mount point itself (GET /).
//
// Clocks: Options.Now drives message timestamps, the 24-hour window and media expiry; throughput
// buckets, status delays and webhook redeliveries use the real clock.
package sandbox
