/**
 * The documented say-as formats (shared/ssml.md §4, samples copied): every sample is accepted; content that
 * matches no format, or breaks a limit or a sanity check, gets a message (a warning in the report).
 */
import { describe, expect, it } from 'vitest';
import { sayAsFormatProblem } from '../../../../src/text/ssml/rules/say-as-formats.js';

const ACCEPTED: Record<string, string[]> = {
  cardinal: ['145', '0145', '-145', '60,000', '-208,000', '12.00', '12.34', '1,000.1', '-12.34', '-1,000.1', '1-1,000', '012.34', '1/2', '-3/4', '5.1/6', '-3 1/2', '1,000.3^3', '3e9.1', '23.10%', '999999999999'],
  digits: ['12034', '1-23-456 7890'],
  telephone: ['12034', '1-23-456 7890', '+43-211-0567', '(21) 654-3210'],
  name: ['Zhang San'],
  address: ['北京市朝阳区'],
  characters: ["*b+3$.c-0'=α", '你好ABC123', '（，。）'],
  id: ['user_01'],
  punctuation: ['!?'],
  date: [
    '2000/01', '1900-01', '2001-02', '2019-20', '1998-99', '1999-00', '2000', '1905', 'mon-wed', 'tue~fri', 'sat&sun',
    '19-20 Jan, 2000', '01 ~ 10 Jul, 2020', '05&06 Apr, 2009', 'Feb 01 - 03', 'Aug 10–20', 'Dec 11&12', 'Jan-Jun',
    'Jul - Dec', 'sep&oct', '1990 - 2000', '2001–2021', 'Sun 20 Nov 2011', 'Sun 20 Nov', 'Sun Nov 20 2011', 'Sun Nov 20',
    'Sat 2010-10-01', 'Sat 2010/10/01', 'Sun 11/20/2011', '11/20/2011', '10 Mar, 2001', '10 Mar', 'Mar 2001',
    'Fri. 10/Mar/2001', 'Mar 10th, 2001', 'Mar 10', '2001/03/10', '2001-03-10', '2000s', "2010's", "1900's", '1990s', '1000-10-10',
  ],
  time: ['09:00 AM', '09:03 PM', '09:13 p.m.', '21:00', '100', '0500', '8:00 am - 05:30 pm', '7:05~10:15 AM', '09:00-13:00', '5:00am'],
  currency: ['1.00 RMB', '2.02 CNY', '1,000.23 CN¥', '1.01 SGD', '2.01 CAD', '3.1 HKD', '1,000.00 EUR', 'US$ 1.00', '$0.01', 'JPY 1.01', '£1.1', '€2.01', 'USD 1,000', '$1,000.01', '13,000,000.00RMB', '1.23 Tn RMB', '$1.2 K'],
  measure: ['1.0 kg', '1,234.01 km', 'mm2', '3 m²', '5 kWh'],
};

const WARNED: [string, string, string][] = [
  ['cardinal', 'twelve', 'no documented cardinal format'],
  ['cardinal', '1234567890123', '13 digits'],
  ['cardinal', '1.12345678901', '11 decimals'],
  ['digits', '12a', 'no documented digits format'],
  ['digits', '1 2 3 4 5 6', '6 digit groups'],
  ['digits', '123456789012345678901', '21 digits'],
  ['telephone', 'call me', 'no documented telephone format'],
  ['address', '1 Main Street', 'not supported for English'],
  ['characters', 'ab😀', '😀'],
  ['date', '10-01-2020', 'no documented date format'],
  ['date', '2020/13', 'month 13'],
  ['date', '11/32/2011', 'day 32'],
  ['time', 'noon', 'no documented time format'],
  ['time', '25:00', 'not a time of day'],
  ['time', '13:00 pm', 'the hour is 1 to 12'],
  ['currency', '¥100', 'no documented currency format'],
  ['measure', 'a lot', 'no documented measure format'],
];

describe('say-as formats', () => {
  const accepted = Object.entries(ACCEPTED).flatMap(([type, samples]) => samples.map((s) => [type, s] as const));
  it.each(accepted)('%s %j is accepted', (type, sample) => {
    expect(sayAsFormatProblem(type, sample)).toBeUndefined();
  });
  it.each(WARNED)('%s %j is warned about (%s)', (type, sample, message) => {
    expect(sayAsFormatProblem(type, sample)).toContain(message);
  });
  it('ignores content too long to be a format', () => {
    expect(sayAsFormatProblem('date', 'x'.repeat(10_000))).toBeUndefined();
  });
});
