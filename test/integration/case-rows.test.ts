import { Client, types } from 'pg';
import { loadConfig } from '../../src/config';
import { isoTimestamp } from '../../src/store/case-rows';

// The queue's pages read timestamps as text and write them as the API's ISO form without a Date
// in between; what they answer must be what pg's own Date and toISOString() give, in any session.
const TIMESTAMPTZ = 1184;
const VALUES = [
  '2026-12-07 03:01:15.123456+00',
  '2026-12-07 03:01:15+00',
  '2026-12-07 03:01:15.5+00',
  '2026-01-31 23:59:59.999999+00',
  '2024-02-29 12:00:00.000001+00',
  '1970-01-01 00:00:00+00',
  '0099-06-01 10:00:00.25+00',
  '9999-12-31 23:59:59.9995+00',
];

async function readAll(timeZone: string): Promise<{ text: string; asDate: string; asIso: string }[]> {
  const client = new Client({ connectionString: loadConfig().DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET TimeZone = '${timeZone}'`);
    // a thousand instants with every microsecond pattern, and the edge values above
    const { rows } = await client.query<{ t: string }>({
      text: `SELECT t::text AS t FROM (
               SELECT timestamptz '2026-03-29 00:59:00+00' + make_interval(secs => i * 3.777777) AS t FROM generate_series(0, 999) AS i
               UNION ALL SELECT unnest($1::timestamptz[])) v`,
      values: [VALUES],
    });
    const parse = types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => Date;
    return rows.map(({ t }) => ({ text: t, asDate: parse(t).toISOString(), asIso: isoTimestamp(t) }));
  } finally {
    await client.end();
  }
}

describe('timestamps of case rows read as ISO text', () => {
  it('are what pg\'s Date gives, to the millisecond, in a UTC session', async () => {
    const read = await readAll('UTC');
    expect(read).toHaveLength(1000 + VALUES.length);
    for (const r of read) expect(r.asIso).toBe(r.asDate);
    // the fraction is cut to milliseconds as a Date cuts it, never rounded up
    expect(isoTimestamp('2026-01-31 23:59:59.999999+00')).toBe('2026-01-31T23:59:59.999Z');
    expect(isoTimestamp('2026-12-07 03:01:15+00')).toBe('2026-12-07T03:01:15.000Z');
  });

  it('are the same instants in a session in another time zone (across a daylight-saving change)', async () => {
    const utc = await readAll('UTC');
    const berlin = await readAll('Europe/Berlin');
    expect(berlin[0].text).not.toBe(utc[0].text);
    expect(berlin.map((r) => r.asIso)).toEqual(utc.map((r) => r.asIso));
    for (const r of berlin) expect(r.asIso).toBe(r.asDate);
  });
});
