// EfficientNet-Lite0's expand 1x1 convolution and its depthwise 3x3 convolution (both with ReLU6,
// NHWC, FP32, inference) as two oneDNN primitives against one with the depthwise convolution fused
// as a post-op (`dnnl_post_ops_append_dw`), at the shapes of the inference network's passes (4
// images) and of a whole batch (16). Prints the median of 9 rounds of 10 calls and the
// implementation oneDNN picked for each. A reference measurement for issue #19 (README, "Why
// EfficientNet-Lite0's inference stays near onnxruntime's"); not part of the build or the tests.
//
//   O=.dependencies/onednn-3.2
//   gcc -O2 -w -o /tmp/dw_fusion scripts/benchmarks/dw_fusion.c -I$O/include -L$O/lib -Wl,-rpath,$PWD/$O/lib -ldnnl
//   OMP_NUM_THREADS=2 /tmp/dw_fusion
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CHECK(x) do{dnnl_status_t s=(x); if(s!=dnnl_success){printf("fail %s: %d\n",#x,s); exit(1);}}while(0)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
dnnl_engine_t eng; dnnl_stream_t st;
static dnnl_memory_t mem(dnnl_memory_desc_t md){dnnl_memory_t m; CHECK(dnnl_memory_create(&m,md,eng,DNNL_MEMORY_ALLOCATE)); void*p; dnnl_memory_get_data_handle(m,&p); size_t sz=dnnl_memory_desc_get_size(md); for(size_t i=0;i<sz/4;i++)((float*)p)[i]=(i%13)*0.01f; return m;}
int main(int argc,char**argv){
  dnnl_engine_create(&eng,dnnl_cpu,0); dnnl_stream_create(&st,eng,dnnl_stream_default_flags);
  // mb, ic, oc, height = width, depthwise stride, depthwise left padding (0: TensorFlow's "same", padded right)
  long cases[][6]={{4,16,96,112,2,0},{4,24,144,56,1,1},{16,16,96,112,2,0},{16,24,144,56,1,1},{4,40,240,28,2,0},{4,80,480,14,1,1}};
  for(int c=0;c<6;c++){
    long N=cases[c][0],IC=cases[c][1],OC=cases[c][2],H=cases[c][3],S=cases[c][4],P=cases[c][5];
    long OH=(H+2*P-3)/S+1; if(P==0) OH=H/S; // TF same: pad right
    dnnl_memory_desc_t src,w1,b1,mid,wdw,bdw,dst,wany;
    dnnl_dims_t ds={N,IC,H,H}, dw1={OC,IC,1,1}, db={OC}, dm={N,OC,H,H}, dwdw={OC,1,1,3,3}, dd={N,OC,OH,OH};
    dnnl_memory_desc_create_with_tag(&src,4,ds,dnnl_f32,dnnl_nhwc);
    dnnl_memory_desc_create_with_tag(&w1,4,dw1,dnnl_f32,dnnl_format_tag_any);
    dnnl_memory_desc_create_with_tag(&b1,1,db,dnnl_f32,dnnl_a);
    dnnl_memory_desc_create_with_tag(&mid,4,dm,dnnl_f32,dnnl_nhwc);
    dnnl_memory_desc_create_with_tag(&wdw,5,dwdw,dnnl_f32,dnnl_format_tag_any);
    dnnl_memory_desc_create_with_tag(&dst,4,dd,dnnl_f32,dnnl_nhwc);
    dnnl_dims_t one={1,1},zero={0,0},strd={S,S},pl={P,P},pr={P==0?1:P,P==0?1:P};
    if(P==0){pr[0]=(OH-1)*S+3-H; pr[1]=pr[0];}
    // separate
    dnnl_post_ops_t po1; dnnl_post_ops_create(&po1); dnnl_post_ops_append_eltwise(po1,dnnl_eltwise_clip,0,6);
    dnnl_primitive_attr_t a1; dnnl_primitive_attr_create(&a1); dnnl_primitive_attr_set_post_ops(a1,po1);
    dnnl_primitive_desc_t pd1,pd2,pdf; dnnl_primitive_t p1,p2,pf;
    CHECK(dnnl_convolution_forward_primitive_desc_create(&pd1,eng,dnnl_forward_inference,dnnl_convolution_direct,src,w1,b1,mid,one,NULL,zero,zero,a1));
    CHECK(dnnl_convolution_forward_primitive_desc_create(&pd2,eng,dnnl_forward_inference,dnnl_convolution_direct,mid,wdw,b1,dst,strd,NULL,pl,pr,a1));
    dnnl_post_ops_t pof; dnnl_post_ops_create(&pof); dnnl_post_ops_append_eltwise(pof,dnnl_eltwise_clip,0,6);
    CHECK(dnnl_post_ops_append_dw(pof,dnnl_f32,dnnl_f32,dnnl_f32,3,S,P));
    dnnl_post_ops_append_eltwise(pof,dnnl_eltwise_clip,0,6);
    dnnl_primitive_attr_t af; dnnl_primitive_attr_create(&af); dnnl_primitive_attr_set_post_ops(af,pof);
    dnnl_memory_desc_t dstany; dnnl_memory_desc_create_with_tag(&dstany,4,dd,dnnl_f32,dnnl_nhwc);
    dnnl_status_t fs=dnnl_convolution_forward_primitive_desc_create(&pdf,eng,dnnl_forward_inference,dnnl_convolution_direct,src,w1,b1,dstany,one,NULL,zero,zero,af);
    const char*i1,*i2,*iff="none"; dnnl_primitive_desc_query(pd1,dnnl_query_impl_info_str,0,&i1); dnnl_primitive_desc_query(pd2,dnnl_query_impl_info_str,0,&i2);
    if(fs==dnnl_success) dnnl_primitive_desc_query(pdf,dnnl_query_impl_info_str,0,&iff); else printf("fused primitive refused: status %d\n",fs);
    CHECK(dnnl_primitive_create(&p1,pd1)); CHECK(dnnl_primitive_create(&p2,pd2)); if(fs==dnnl_success) CHECK(dnnl_primitive_create(&pf,pdf));
    dnnl_memory_t ms=mem(src), mm=mem(mid), md=mem(dst), mdf=mem(dst);
    dnnl_memory_t mw1=mem(dnnl_primitive_desc_query_md(pd1,dnnl_query_weights_md,0)), mb=mem(b1), mwdw=mem(dnnl_primitive_desc_query_md(pd2,dnnl_query_weights_md,0));
    dnnl_exec_arg_t a_1[]={{DNNL_ARG_SRC,ms},{DNNL_ARG_WEIGHTS,mw1},{DNNL_ARG_BIAS,mb},{DNNL_ARG_DST,mm}};
    dnnl_exec_arg_t a_2[]={{DNNL_ARG_SRC,mm},{DNNL_ARG_WEIGHTS,mwdw},{DNNL_ARG_BIAS,mb},{DNNL_ARG_DST,md}};
    dnnl_memory_t mwf=NULL; if(fs==dnnl_success) mwf=mem(dnnl_primitive_desc_query_md(pdf,dnnl_query_exec_arg_md,DNNL_ARG_ATTR_POST_OP_DW|DNNL_ARG_WEIGHTS));
    const_dnnl_memory_desc_t fw1=fs==dnnl_success?dnnl_primitive_desc_query_md(pdf,dnnl_query_weights_md,0):NULL;
    dnnl_memory_t mw1f=fs==dnnl_success?mem(fw1):NULL;
    dnnl_exec_arg_t a_f[]={{DNNL_ARG_SRC,ms},{DNNL_ARG_WEIGHTS,mw1f},{DNNL_ARG_BIAS,mb},{DNNL_ARG_DST,mdf},{DNNL_ARG_ATTR_POST_OP_DW|DNNL_ARG_WEIGHTS,mwf},{DNNL_ARG_ATTR_POST_OP_DW|DNNL_ARG_BIAS,mb}};
    double ts[9],tf[9];
    for(int r=0;r<9;r++){
      double t0=now(); for(int k=0;k<10;k++){dnnl_primitive_execute(p1,st,4,a_1);dnnl_primitive_execute(p2,st,4,a_2);} dnnl_stream_wait(st); ts[r]=(now()-t0)/10;
      if(fs==dnnl_success){t0=now(); for(int k=0;k<10;k++) dnnl_primitive_execute(pf,st,6,a_f); dnnl_stream_wait(st); tf[r]=(now()-t0)/10;} else tf[r]=0;
    }
    qsort(ts,9,8,cmp); qsort(tf,9,8,cmp);
    printf("mb%ld ic%ld oc%ld %ldx%ld s%ld: separate %.3f ms (%s + %s), fused %.3f ms (%s)\n",N,IC,OC,H,H,S,ts[4]*1e3,i1,i2,tf[4]*1e3,iff);
  }
}
