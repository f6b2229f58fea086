import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../src/sessions/device-name.js';

describe('describeDevice', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36', 'Chrome 156 on Linux'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS 17',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128 on Windows 10'],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
      'Chrome 124 on Android 14',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67',
      'Microsoft Edge 124 on macOS',
    ],
    ['curl/8.5.0', 'curl 8.5.0'],
    ['okhttp/4.9.0', 'okhttp 4.9.0'],
    ['node', 'node'],
  ])('%s → %s', (userAgent, device) => {
    expect(describeDevice(userAgent)).toBe(device);
  });

  it('is null without a user agent, and never longer than a few words for a long one', () => {
    expect(describeDevice(null)).toBeNull();
    expect(describeDevice('   ')).toBeNull();
    expect(describeDevice(`${'x'.repeat(600)}/1.0`)?.length).toBeLessThanOrEqual(61);
  });
});
