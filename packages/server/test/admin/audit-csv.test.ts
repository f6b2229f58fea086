import { describe, expect, it } from 'vitest';
import { auditCsv, csvCell } from '../../src/admin/audit-csv.js';

describe('audit CSV', () => {
  it('quotes cells holding a comma, a quote or a line break, doubling quotes (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell({ a: '1,2' })).toBe('"{""a"":""1,2""}"');
  });

  it('#16 CSV injection (CWE-1236): a cell starting with = + - @ tab or CR is prefixed with an apostrophe', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('a=1')).toBe('a=1');
  });

  it('has a header row, one row per event, ISO times and CRLF line ends', () => {
    const csv = auditCsv([
      {
        id: 3,
        at: 1_800_000_000,
        type: 'login.failure',
        outcome: 'failure',
        actor_id: 7,
        subject_id: 7,
        user_id: 7,
        session_id: null,
        ip: '10.0.0.1',
        details: { dialect: 'standard' },
      },
    ]);
    expect(csv).toBe(
      'id,at,type,outcome,actor_id,subject_id,session_id,ip,details\r\n' +
        '3,2027-01-15T08:00:00.000Z,login.failure,failure,7,7,,10.0.0.1,"{""dialect"":""standard""}"\r\n',
    );
  });
});
