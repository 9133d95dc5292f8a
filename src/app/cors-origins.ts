// CORS_ORIGINS (SPEC §5): the browser origins allowed to call the service, none by default.
import { ConfigError } from './config-error.ts';

/**
 * The origins in a comma-separated CORS_ORIGINS, each in the form a browser sends in its
 * Origin header (scheme://host[:port], lowercase, no default port), so a match is one
 * string comparison; empty when unset. Throws ConfigError naming the variable for anything
 * that is not such an origin: a wildcard, a path, a scheme other than http or https.
 */
export function parseCorsOrigins(raw: string | undefined): readonly string[] {
  if (raw === undefined) return [];
  const origins = new Set<string>();
  for (const entry of raw.split(',')) {
    const text = entry.trim();
    if (text !== '') origins.add(originOf(text));
  }
  return [...origins];
}

function originOf(text: string): string {
  const refuse = (why: string): never => {
    throw new ConfigError(`CORS_ORIGINS lists exact origins such as https://app.example.com, separated by commas; "${text}" ${why}`);
  };
  // A wildcard would let any page call with its users' tokens; the list is the whole point.
  if (text.includes('*')) refuse('is a wildcard, which is not accepted');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('is not an origin');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse('must start with http:// or https://');
  // An Origin header never carries a path, a query or credentials, so an entry with one would never match.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '' || text.endsWith('?') || text.endsWith('#')) {
    refuse('has more than scheme, host and port');
  }
  return url.origin;
}
