package io.synod.sim.bugs;

import io.synod.replica.kv.KvAnswer;
import io.synod.replica.kv.KvRequest;
import io.synod.replica.kv.KvService;
import io.synod.replica.kv.ReadOrdering;
import java.util.function.Consumer;

/** Planted bug: a linearizable read is answered from the local replica at once, without ordering it. */
public final class AnswersReadsLocally implements ReadOrdering {
    @Override
    public void order(KvService service, KvService.Host host, KvRequest.Consistency consistency,
            Consumer<KvAnswer.Refusal> then) {
        then.accept(null);
    }
}
