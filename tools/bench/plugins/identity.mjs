// The identity transform the isolation bench runs in every mode: what it measures is the host.
import { Type, defineTransform } from '@flowengine/sdk';

export default defineTransform({
  id: 'bench-identity',
  config: Type.Object({}),
  stateless: true,
  outputSchema: (input) => input,
  open: () => ({ transform: (chunk) => chunk }),
});
