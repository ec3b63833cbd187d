/** Common passwords of 12 or more characters, lower-cased (a small list shipped with the code). */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password1234', 'password12345', 'password123456', 'passw0rd1234', 'p@ssw0rd1234', 'p@ssword1234',
  'password!234', '123456789012', '1234567890123', 'qwertyuiop123', 'qwerty123456', 'qwertyuiopas',
  '1q2w3e4r5t6y', '1qaz2wsx3edc', 'zaq12wsxcde3', 'administrator', 'administrator1', 'admin1234567',
  'adminadmin12', 'changeme1234', 'changeme123!', 'letmein12345', 'welcome12345', 'welcome123456',
  'iloveyou1234', 'trustno12345', 'football1234', 'baseball1234', 'superman1234', 'monkey123456',
  'dragon123456', 'sunshine1234', 'princess1234', 'starwars1234', 'whatever1234', 'shadow123456',
  'master123456', 'michael12345', 'jennifer1234', 'computer1234', 'internet1234', 'password2024',
  'password2025', 'password2026', 'summer2024!!', 'winter2025!!', 'spring2026!!', 'autumn2026!!',
  'correcthorsebatterystaple', 'shoaladmin12', 'shoal1234567', 'deployment12', 'octopus12345', 'octopusdeploy',
  'octopusadmin', 'letmeinplease', 'passwordpassword', 'mypassword12', 'mypassword123', 'secretpassword',
  'supersecret1', 'supersecret123', '1234qwerasdf', 'qwerasdfzxcv', 'asdfghjkl123', 'zxcvbnm12345',
  'iloveyou123!', '11111111111a', 'abc123abc123', 'abcd1234abcd', '123abc123abc', 'a1b2c3d4e5f6',
  'q1w2e3r4t5y6', 'passwordqwerty', 'welcome2024!', 'welcome2025!', 'welcome2026!', 'changeit1234',
  'default12345', 'temporary123', 'temp12345678', 'test12345678', 'testtest1234', 'guest1234567',
  'root12345678', 'toor12345678', 'rootroot1234', 'adminpassword', 'adminpass123',
]);
