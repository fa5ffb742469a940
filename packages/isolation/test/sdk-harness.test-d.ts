import { describe, expectTypeOf, it } from 'vitest';
import type { HostHandle, HostInstanceOptions, HostStats } from '@flowengine/sdk/testing';
import type { InstanceHandle, InstanceOptions, InstanceStats } from '@flowengine/isolation';

// The SDK's test harness drives this package through shapes it writes down itself (the SDK cannot
// import this package's types: the dependency points the other way). These checks, run by
// `npm run lint`, keep the two in step.
describe('the SDK test harness\'s view of the isolation host', () => {
  it('can use every handle startInstance returns', () => {
    expectTypeOf<InstanceHandle>().toExtend<HostHandle>();
    expectTypeOf<InstanceStats>().toExtend<HostStats>();
  });

  it('passes options startInstance accepts', () => {
    expectTypeOf<HostInstanceOptions>().toExtend<InstanceOptions>();
  });
});
