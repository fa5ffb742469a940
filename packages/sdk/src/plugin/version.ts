/** The version of `@flowengine/sdk` a plugin is built against; kept equal to package.json by a test. */
export const SDK_VERSION = '0.1.0';

/** The SDK range a descriptor records by default: compatible releases of the SDK it was built with. */
export const SDK_RANGE = `^${SDK_VERSION}`;
