import { describeDeploymentConfig } from '@streamline/testing';
import { aggregatorService } from '../aggregator.service';

describeDeploymentConfig(aggregatorService, { port: 3003 });
