// The Go server embeds web/dist, so a tracked placeholder must survive `vite build`
// (which empties the directory). Re-create it after every build.
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))
mkdirSync(dist, { recursive: true })
writeFileSync(new URL('.gitkeep', `file://${dist}`), '')
