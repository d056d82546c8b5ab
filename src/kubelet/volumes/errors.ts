// Why a pod's volumes could not be set up. `reason` is the event reason the kubelet records
// (FailedMount), the message reads as upstream's ("MountVolume.SetUp failed for volume "cfg" :
// configmap "cfg" not found").
export class VolumeError extends Error {
  constructor(
    message: string,
    readonly reason: string = 'FailedMount',
  ) {
    super(message);
  }
}

/** upstream errors.NewAggregate's message: one error as itself, several as "[a, b]". */
export function aggregateMessage(errors: string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}
