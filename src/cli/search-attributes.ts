import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../workflows/search-attributes';

/**
 * Prints the Temporal CLI flags that register Reckon's search attributes, one argument per line,
 * so scripts keep no list of their own:
 *   mapfile -t flags < <(npx tsx src/cli/search-attributes.ts)
 *   temporal server start-dev "${flags[@]}"
 * `--names` prints only the names (one per line).
 */
const namesOnly = process.argv.includes('--names');
const lines = Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES).flatMap(([name, type]) =>
  namesOnly ? [name] : ['--search-attribute', `${name}=${type}`],
);
process.stdout.write(`${lines.join('\n')}\n`);
