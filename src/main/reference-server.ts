/** The reference ledger served over the WMS/ERP REST contract, a fake remote for the http adapter: `npm run reference-server -- --port 4010`. */
import '../adapters/reference-server/main';
