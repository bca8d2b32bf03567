import test from 'ava';
import { passesLive, SCENARIO_FILES } from '../helpers/live.ts';

for (const file of SCENARIO_FILES) {
  test.serial(`live › ${file} passes over HTTP in JSON against one fake master`, (t) =>
    passesLive(t, file, 1, 'json'),
  );
  test.serial(`live › ${file} passes over HTTP in JSON against three fake masters`, (t) =>
    passesLive(t, file, 3, 'json'),
  );
}
