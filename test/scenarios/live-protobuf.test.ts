import test from 'ava';
import { passesLive, SCENARIO_FILES } from '../helpers/live.ts';

for (const file of SCENARIO_FILES) {
  test.serial(`live › ${file} passes over HTTP in protobuf against one fake master`, (t) =>
    passesLive(t, file, 1, 'protobuf'),
  );
  test.serial(`live › ${file} passes over HTTP in protobuf against three fake masters`, (t) =>
    passesLive(t, file, 3, 'protobuf'),
  );
}
