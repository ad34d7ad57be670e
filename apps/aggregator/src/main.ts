import 'reflect-metadata';
import { runService } from '@streamline/platform';
import { aggregatorService } from './aggregator.service';

void runService(aggregatorService);
