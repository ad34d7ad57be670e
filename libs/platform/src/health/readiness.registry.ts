import { Injectable } from '@nestjs/common';

/** A dependency the service really uses, checked by talking to it. */
export interface ReadinessCheck {
  /** Name shown in `/health/ready`, e.g. `kafka`, `postgres`. */
  readonly name: string;
  /** Resolves when the dependency answered; rejects with the reason otherwise. */
  check(): Promise<void>;
}

/**
 * Collects the readiness checks of the modules a service imports. Modules register
 * themselves at construction, so `/health/ready` always reflects what is wired in.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(check: ReadinessCheck): void {
    if (this.checks.has(check.name)) {
      throw new Error(`readiness check "${check.name}" is registered twice`);
    }
    this.checks.set(check.name, check);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }

  /** Once shutdown begins the service reports not-ready so load balancers stop sending work. */
  markDraining(): void {
    this.draining = true;
  }

  isDraining(): boolean {
    return this.draining;
  }
}
