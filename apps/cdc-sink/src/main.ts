import 'reflect-metadata';
import { runService } from '@streamline/platform';
import { cdcSinkService } from './cdc-sink.service';

void runService(cdcSinkService);
