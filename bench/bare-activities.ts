/** The bare side's only activity: returns at once, touches nothing. */
export const bareActivities = {
  async noop(): Promise<void> {},
};
export type BareActivities = typeof bareActivities;
